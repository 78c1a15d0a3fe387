package dev.replication.spring;

import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.map.ReplicatedMapRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;

/**
 * Injects {@code @Replicated} maps: into fields of any bean (no {@code @Autowired} needed), and
 * into constructor and method parameters through the bean factory's candidate resolver (the
 * way {@code @Value} is resolved), so the maps are never looked up as beans by name.
 */
final class ReplicatedInjection {

    private ReplicatedInjection() {}

    /** Installs the parameter resolver before any bean is created. */
    static final class ResolverInstaller implements BeanFactoryPostProcessor {
        @Override
        public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            if (beanFactory instanceof DefaultListableBeanFactory listable) {
                listable.setAutowireCandidateResolver(
                        new ParameterResolver(listable.getAutowireCandidateResolver(), beanFactory));
            }
        }
    }

    /** Delegates everything to the previous resolver except {@code @Replicated} parameters. */
    static final class ParameterResolver implements AutowireCandidateResolver {
        private final AutowireCandidateResolver delegate;
        private final BeanFactory beanFactory;

        ParameterResolver(AutowireCandidateResolver delegate, BeanFactory beanFactory) {
            this.delegate = delegate;
            this.beanFactory = beanFactory;
        }

        @Override
        public @Nullable Object getSuggestedValue(DependencyDescriptor descriptor) {
            Replicated replicated = descriptor.getAnnotation(Replicated.class);
            if (replicated == null && descriptor.getMethodParameter() != null) {
                replicated = descriptor.getMethodParameter().getParameterAnnotation(Replicated.class);
            }
            if (replicated != null) {
                String where = descriptor.getMethodParameter() != null
                        ? descriptor.getMethodParameter().getExecutable().toGenericString()
                        : String.valueOf(descriptor.getField());
                return mapFor(beanFactory, replicated, descriptor.getResolvableType(), where);
            }
            return delegate.getSuggestedValue(descriptor);
        }

        @Override
        public boolean isAutowireCandidate(BeanDefinitionHolder bdHolder, DependencyDescriptor descriptor) {
            return delegate.isAutowireCandidate(bdHolder, descriptor);
        }

        @Override
        public boolean isRequired(DependencyDescriptor descriptor) {
            return delegate.isRequired(descriptor);
        }

        @Override
        public boolean hasQualifier(DependencyDescriptor descriptor) {
            return delegate.hasQualifier(descriptor);
        }

        @Override
        public @Nullable Object getLazyResolutionProxyIfNecessary(
                DependencyDescriptor descriptor, @Nullable String beanName) {
            return delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
        }

        @Override
        public @Nullable Class<?> getLazyResolutionProxyClass(
                DependencyDescriptor descriptor, @Nullable String beanName) {
            return delegate.getLazyResolutionProxyClass(descriptor, beanName);
        }

        @Override
        public AutowireCandidateResolver cloneIfNecessary() {
            return new ParameterResolver(delegate.cloneIfNecessary(), beanFactory);
        }
    }

    /** Sets {@code @Replicated} fields of every bean. */
    static final class FieldInjector implements InstantiationAwareBeanPostProcessor, BeanFactoryAware {
        // Set by Spring through BeanFactoryAware before any bean is post-processed.
        private @Nullable BeanFactory beanFactory;

        @Override
        public void setBeanFactory(BeanFactory beanFactory) {
            this.beanFactory = beanFactory;
        }

        @Override
        public PropertyValues postProcessProperties(PropertyValues pvs, Object bean, String beanName)
                throws BeansException {
            Class<?> beanClass = org.springframework.aop.support.AopUtils.getTargetClass(bean);
            ReflectionUtils.doWithFields(
                    beanClass,
                    field -> inject(bean, beanClass, field),
                    field -> field.isAnnotationPresent(Replicated.class));
            return pvs;
        }

        private void inject(Object bean, Class<?> beanClass, Field field) {
            if (Modifier.isStatic(field.getModifiers())) {
                throw new IllegalStateException("@Replicated is not supported on static field " + field
                        + "; make it an instance field or a constructor parameter");
            }
            Replicated replicated = field.getAnnotation(Replicated.class);
            BeanFactory factory = Objects.requireNonNull(beanFactory, "setBeanFactory was not called");
            Object map =
                    mapFor(factory, replicated, ResolvableType.forField(field, beanClass), field.toGenericString());
            ReflectionUtils.makeAccessible(field);
            ReflectionUtils.setField(field, bean, map);
        }
    }

    /** The map for one injection point, with its key and value types taken from the declaration. */
    static Object mapFor(BeanFactory beanFactory, Replicated replicated, ResolvableType declared, String where) {
        if (!ReplicatedMap.class.isAssignableFrom(declared.toClass())) {
            throw new IllegalStateException("@Replicated(\"" + replicated.value() + "\") at " + where
                    + " must be declared as ReplicatedMap<K, V>, not " + declared);
        }
        ResolvableType map = declared.as(ReplicatedMap.class);
        ResolvableType key = map.getGeneric(0);
        ResolvableType value = map.getGeneric(1);
        if (key.resolve() == null || value.resolve() == null) {
            throw new IllegalStateException("@Replicated(\"" + replicated.value() + "\") at " + where
                    + " must declare its key and value types, e.g. ReplicatedMap<String, Order>; found " + declared);
        }
        return beanFactory
                .getBean(ReplicatedMapRegistry.class)
                .map(replicated.value(), key.getType(), value.getType(), where);
    }
}
